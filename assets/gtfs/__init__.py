"""GTFS feeds: ingest with validation, scheduled service metrics, bus-km by energy class."""

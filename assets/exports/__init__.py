"""Files the bureau's people open in their own tools: an Excel workbook and Parquet tables."""

"""The shared ingest machinery: every source goes through the same steps and the same ledger.

read bytes → decode → parse → map headers → normalise → row rules → pseudonymise → split
loaded / quarantined → account for every row in `audit.source_files`.
"""

"""`streamml report`: a self-contained HTML report with plots of a run, read back from Kafka."""

"""`streamml status`: pods, topics, lag and throughput of a deployed streamml release."""

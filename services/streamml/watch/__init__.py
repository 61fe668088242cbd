"""`streamml watch`: a live terminal view of a running system, from its Kafka topics."""

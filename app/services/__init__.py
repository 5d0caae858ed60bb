"""Queries and aggregations that return plain data. Services flush but never commit:
the request that calls them owns the transaction."""

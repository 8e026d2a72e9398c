"""Importing initiatives from other people's data, at national speed.

A format (formats/) reads a file as a stream of SourceRecord, in the source's own vocabulary;
convert.py maps each onto our fields and codes (the value mapping keeps what it cannot map in
`raw_values` and says so); pipeline.py validates the rows with the model's rules, copies the
valid ones into a temporary table with COPY and then, in a few set-based statements, finds
each one's territory (one spatial join), tells created / updated / unchanged apart, links
likely duplicates of existing initiatives and writes everything at once.
"""

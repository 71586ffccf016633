"""A ledger bigger than memory: split by customer, compute each part, reduce exactly.

``split`` writes the parts (``reportgen partition``), ``compute`` loads one part and records
the per-loan figures its reports read, ``reduce`` joins the parts' figures into one engine the
unchanged metrics read, and ``executor`` runs the parts in turn, or on a Dask cluster.
"""

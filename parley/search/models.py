"""No Django models: the index lives in database-specific objects (see sqlite.py and postgres.py).

The module exists so Django sends this app the post_migrate signal that repairs the index.
"""

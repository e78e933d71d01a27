"""Pure clinical and workflow rules.

Nothing in this package imports Flask or SQLAlchemy: every rule takes plain values and
returns plain values, so it can be tested exhaustively with tables of worked cases.
"""

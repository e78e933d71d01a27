"""The vocabularies of each area: labelled string enums with no framework imports.

Models, forms, services, rules and templates share them. A status enum lives with its
transition table in `coordinator/rules/` instead; staff roles live in `coordinator/roles.py`.
"""

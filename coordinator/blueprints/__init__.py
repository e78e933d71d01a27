"""One package per area: `bp` in __init__, views.py, forms.py; templates in templates/<area>/."""

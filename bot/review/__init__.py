"""The review trail: which texts a clinician, a native Kiswahili speaker or the programme
has checked, whether a text changed since, and every change made in the console.

Reviews are kept in `locales/reviews.yaml` beside the texts (staff read and edit it
like the locale files, and it travels with them in version control); console changes
are kept in Redis (see history.py).
"""

"""Streamlit entry point: ``streamlit run zwgk/dashboard/app.py`` (``zwgk dashboard`` does it for you).

The database comes from the ``ZWGK_DB`` environment variable.
"""

from zwgk.dashboard.views import main

main()

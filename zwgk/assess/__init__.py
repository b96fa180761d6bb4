"""zwgk.assess"""

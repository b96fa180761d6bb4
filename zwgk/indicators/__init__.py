"""zwgk.indicators"""

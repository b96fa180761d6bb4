"""zwgk.monitor"""

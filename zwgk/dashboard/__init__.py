"""zwgk.dashboard"""

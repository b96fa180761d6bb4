"""zwgk.registry"""

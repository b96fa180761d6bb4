"""zwgk.pipeline"""

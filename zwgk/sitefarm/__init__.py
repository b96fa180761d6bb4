"""zwgk.sitefarm"""

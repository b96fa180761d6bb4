"""zwgk.crawlers"""

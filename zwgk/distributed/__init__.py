"""zwgk.distributed"""

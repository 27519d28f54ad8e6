"""printbridge"""

"""The statute as code. Pure Python: nothing here imports Django.

Inputs are plain values; outputs are plain values carrying their citations.
"""

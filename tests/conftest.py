import os, matplotlib
matplotlib.use('Agg')  # notebooks draw figures; no screen here
os.environ.setdefault('MPLBACKEND', 'Agg')

"""Build a Kaggle-format folder of N galaxies from a labelled folder, by linking its images under new GalaxyIDs
(`galaxy_fastai.bench.scale_folder`), to measure the package at Kaggle's scale without the download:

    python tools/scale_data.py $GALAXY_ZOO_DATA /tmp/kaggle-train 61578
    python tools/scale_data.py $GALAXY_ZOO_DATA /tmp/kaggle-test 79975 --images_only
"""
import sys
from fastcore.script import call_parse, store_true
from galaxy_fastai.bench import scale_folder

@call_parse
def main(src:str, # Labelled Kaggle-format folder (images + solutions CSV)
         dest:str, # New folder to create
         n:int, # Galaxies (images) in the new folder
         images_only:store_true=False, # A test folder: images only, no solutions CSV
         csv:str=None # Solutions CSV whose galaxies to repeat (default: the one with the most rows)
        ):
    try: out = scale_folder(src, dest, n, labels=not images_only, csv=csv)
    except (OSError, ValueError) as e: sys.exit(f'scale_data: {e}')
    print(f'{n:,} galaxies in {out}')

__version__ = "0.0.1"
# Every `import galaxy_fastai.<module>` runs this first, before any of our modules imports fastai, whose import makes
# torch >= 2.9 warn that `torch.jit.script` is deprecated: a warning about fastai's internals that a user cannot act on.
import warnings
warnings.filterwarnings('ignore', r'`torch\.jit\.script` is deprecated', FutureWarning)

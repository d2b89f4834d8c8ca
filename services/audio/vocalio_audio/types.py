"""The one audio array type: mono float32 samples in [-1, 1] at a rate carried beside it."""

import numpy as np
import numpy.typing as npt

FloatAudio = npt.NDArray[np.float32]

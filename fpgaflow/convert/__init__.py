"""hls4ml conversion: typed config → hls4ml project; boards; fixed-point types. hls4ml imported lazily."""

from fpgaflow.convert.boards import BOARDS, Board, get_board
from fpgaflow.convert.config import ConvertConfig
from fpgaflow.convert.precision import FixedType, input_type_for_adc

__all__ = ["BOARDS", "Board", "ConvertConfig", "FixedType", "get_board", "input_type_for_adc"]

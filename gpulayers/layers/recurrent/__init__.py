"""Recurrent layers: the RNN base class, SimpleRNN/LSTM/GRU and their cells, the
convolutional LSTMs (ConvLSTM1D/2D/3D), stacks of cells, and the Bidirectional and
TimeDistributed wrappers (Keras 3 semantics and weight layouts)."""

from gpulayers.layers.recurrent.bidirectional import Bidirectional
from gpulayers.layers.recurrent.conv_lstm1d import ConvLSTM1D
from gpulayers.layers.recurrent.conv_lstm2d import ConvLSTM2D
from gpulayers.layers.recurrent.conv_lstm3d import ConvLSTM3D
from gpulayers.layers.recurrent.dropout_rnn_cell import DropoutRNNCell
from gpulayers.layers.recurrent.gru import GRU
from gpulayers.layers.recurrent.gru_cell import GRUCell
from gpulayers.layers.recurrent.lstm import LSTM
from gpulayers.layers.recurrent.lstm_cell import LSTMCell
from gpulayers.layers.recurrent.rnn import RNN
from gpulayers.layers.recurrent.simple_rnn import SimpleRNN
from gpulayers.layers.recurrent.simple_rnn_cell import SimpleRNNCell
from gpulayers.layers.recurrent.stacked_rnn_cells import StackedRNNCells
from gpulayers.layers.recurrent.time_distributed import TimeDistributed

__all__ = ["GRU", "LSTM", "RNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
           "DropoutRNNCell", "GRUCell", "LSTMCell", "SimpleRNN", "SimpleRNNCell",
           "StackedRNNCells", "TimeDistributed"]

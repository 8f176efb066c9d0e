// Grad mode lives in the public autograd header; this internal name stays for the op layer.
#pragma once
#include "kiln/autograd.h"

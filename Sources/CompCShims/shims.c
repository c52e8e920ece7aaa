#include "CompCShims.h"

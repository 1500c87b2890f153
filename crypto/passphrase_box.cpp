#include "crypto/passphrase_box.hpp"

// Arduino's main() on the test boards: setup(), then loop() a few times and exit, so that the
// firmware ends under QEMU with status 0 (a real core calls loop() forever).
#include "Arduino.h"

int main() {
    setup();
    for (int i = 0; i < 3; ++i) loop();
    return 0;
}

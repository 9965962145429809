// Runs a network trained elsewhere: xor_model.h holds its weights as constants, written by
// tinymlp::export_header (tools/pytorch_interop.py writes the same from a PyTorch model).
// The weights stay in flash; inference needs no RAM beyond its stack.
#include <tinymlp.h>

#include "xor_model.h"

const float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};

void setup() {
  Serial.begin(115200);
  Serial.print("tinymlp XOR inference, ");
  Serial.print((unsigned long)xor_model::Network::parameter_count);
  Serial.println(" parameters in flash");
  for (int n = 0; n < 4; ++n) {
    float p[2];
    if (xor_model::network.predict(inputs[n], p) != tinymlp::Status::ok) {
      Serial.println("prediction refused");
      return;
    }
    Serial.print((int)inputs[n][0]);
    Serial.print(" XOR ");
    Serial.print((int)inputs[n][1]);
    Serial.print(" = ");
    Serial.print(p[1] > p[0] ? 1 : 0);
    Serial.print("  (P(1) = ");
    Serial.print(p[1], 3);
    Serial.println(")");
  }
}

void loop() {
  delay(1000);
}

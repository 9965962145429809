// Trains a 2-8-2 MLP on XOR on the board itself, then prints its predictions.
// All memory is static: the network's parameters, and the trainer's gradients, activations and
// Adam state for a batch of 4, sized at compile time.
#include <tinymlp.h>

using namespace tinymlp;

using Net = Sequential<Dense<2, 8>, Tanh, Dense<8, 2>, Softmax>;
Net net;
Trainer<Net, SoftmaxCrossEntropy, Adam, 4> trainer(net, Adam{0.05f});

const float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
const int32_t labels[4] = {0, 1, 1, 0};

void setup() {
  Serial.begin(115200);
  Serial.print("tinymlp XOR: ");
  Serial.print((unsigned long)Trainer<Net, SoftmaxCrossEntropy, Adam, 4>::memory_bytes);
  Serial.println(" bytes of training memory");

  net.init(/*seed=*/1);
  float loss = 0;
  for (int step = 0; step < 300; ++step) {
    if (trainer.step(&inputs[0][0], labels, &loss) != Status::ok) {
      Serial.println("training step refused");
      return;
    }
  }
  Serial.print("loss after 300 steps: ");
  Serial.println(loss, 4);

  int correct = 0;
  for (int n = 0; n < 4; ++n) {
    float p[2];
    if (net.predict(inputs[n], p) != Status::ok) return;
    Serial.print((int)inputs[n][0]);
    Serial.print(" XOR ");
    Serial.print((int)inputs[n][1]);
    Serial.print(" -> P(1) = ");
    Serial.println(p[1], 3);
    correct += (p[1] > 0.5f) == (labels[n] == 1);
  }
  Serial.print(correct);
  Serial.println("/4 correct");
}

void loop() {
  delay(1000);
}

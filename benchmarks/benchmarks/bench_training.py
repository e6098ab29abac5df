"""End-to-end training steps (forward, loss, backward, SGD update) of two small models:
an MLP 784-256-64-10 and a LeNet on 1x28x28 images, both at batch 64."""
from .bench_conv import ImplBenchmark, setup_impl, sync

BATCH = 64


def mlp(nn):
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def lenet(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


class _TrainingStep(ImplBenchmark):
    input_shape = None

    def build(self, nn):
        raise NotImplementedError

    def setup(self, impl):
        self.lib, self.device, self.undo = setup_impl(impl)
        self.lib.manual_seed(0)
        self.model = self.build(self.lib.nn).to(self.device)
        self.optimizer = self.lib.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        self.x = self.lib.randn(BATCH, *self.input_shape, device=self.device)
        self.y = self.lib.randint(0, 10, (BATCH,), device=self.device)

    def time_step(self, impl):
        self.optimizer.zero_grad()
        loss = self.lib.nn.functional.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        self.optimizer.step()
        sync(self.lib, self.device)


class MLPStep(_TrainingStep):
    input_shape = (784,)

    def build(self, nn):
        return mlp(nn)


class LeNetStep(_TrainingStep):
    input_shape = (1, 28, 28)

    def build(self, nn):
        return lenet(nn)

"""Train a two-layer MLP on XOR-like data with raw tensors and autograd: no nn, no optim.

The same lines run under PyTorch: only the import differs.
"""
import nptorch as torch

torch.manual_seed(0)

# Points in the square [-1, 1]^2, labelled 1 when both coordinates have the same sign.
x = torch.rand(512, 2) * 2 - 1
y = ((x[:, 0] * x[:, 1]) > 0).float().reshape(-1, 1)

hidden = 16
w1 = torch.randn(2, hidden, requires_grad=True)
b1 = torch.zeros(hidden, requires_grad=True)
w2 = torch.randn(hidden, 1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]

lr = 0.5
for step in range(1001):
    h = (x @ w1 + b1).relu()
    p = (h @ w2 + b2).sigmoid()
    loss = ((p - y) ** 2).mean()

    loss.backward()
    with torch.no_grad():
        for w in params:
            w -= lr * w.grad
            w.grad = None

    if step % 100 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}")

with torch.no_grad():
    p = ((x @ w1 + b1).relu() @ w2 + b2).sigmoid()
    accuracy = ((p > 0.5).float() == y).float().mean().item()
print(f"accuracy {accuracy:.3f}")

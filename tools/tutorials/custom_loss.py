"""Expected values for examples/.../tutorials/CustomLoss.java (/usr/bin/python3 tools/tutorials/custom_loss.py):
a line fitted to y = 2x + 1 with three outliers, by the mean squared error and by the Huber loss (delta 1),
written from tensor ops and checked against torch.nn.functional.huber_loss."""
import torch

x = (torch.arange(16, dtype=torch.float32) / 8 - 1).view(16, 1)
y = 2 * x + 1
y[[3, 8, 13]] += 6  # outliers


def huber(pred, target, delta=1.0):
    d = (pred - target).abs()
    return torch.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)).mean()


p = torch.tensor([0.5, -2.0, 3.0, 0.0], requires_grad=True)
t = torch.tensor([0.0, 0.0, 1.0, 0.25])
loss = huber(p, t)
loss.backward()
print("huber:", loss.item(), "torch:", torch.nn.functional.huber_loss(p, t, delta=1.0).item(), "grad:", p.grad.tolist())


def fit(loss_fn, steps=200):
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return model.weight.item(), model.bias.item(), loss.item()


print("mse fit: w, b, last loss =", fit(lambda a, b: (a - b).pow(2).mean()))
print("huber fit: w, b, last loss =", fit(huber))

"""Expected values for examples/.../tutorials/LinearRegression.java: run with Debian's python3-torch
(/usr/bin/python3 tools/tutorials/linear_regression.py). The noise is Kiln's Tensor.randn(new Generator(0), 32)
(Kiln's random numbers are not PyTorch's), copied here so both fit the same data."""
import torch

NOISE = [0.73792565, -0.68843365, -1.2860192, -1.003789, -1.733587, 2.0403621, 1.4971889, 0.35540685,
         -0.08376315, 0.17962688, -0.07508515, 0.54608655, -1.5152102, 0.8947182, -1.2206496, 0.6048836,
         -0.80939317, -2.1902962, 2.0697649, -1.1896086, 1.0774245, 0.18978107, -0.91645277, 1.174361,
         0.55788153, -1.4797248, 1.8372645, 0.40504906, 1.4147458, 0.38747963, -1.5255333, 0.46820998]

x = (torch.arange(32, dtype=torch.float32) / 16 - 1).view(32, 1)
y = 3 * x - 2 + 0.2 * torch.tensor(NOISE).view(32, 1)
STEPS = 100


def by_hand():
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(STEPS):
        loss = (w * x + b - y).pow(2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= 0.2 * w.grad
            b -= 0.2 * b.grad
        w.grad = None
        b.grad = None
    return losses, w.item(), b.item()


def with_optimizer(make):
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = make(model.parameters())
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = (model(x) - y).pow(2).mean()
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return losses, model.weight.item(), model.bias.item()


def show(name, fit):
    losses, w, b = fit
    print(f"{name}: losses[0, 1, 10, 99] = {losses[0]:.8g}, {losses[1]:.8g}, {losses[10]:.8g}, {losses[99]:.8g}; "
          f"w = {w:.8g}, b = {b:.8g}")


show("by hand", by_hand())
show("SGD", with_optimizer(lambda p: torch.optim.SGD(p, lr=0.2)))
show("Adam", with_optimizer(lambda p: torch.optim.Adam(p, lr=0.1)))
# The least-squares line, for comparison.
X = torch.cat([x, torch.ones_like(x)], 1).double()
print("least squares:", torch.linalg.lstsq(X, y.double()).solution.view(-1).tolist())

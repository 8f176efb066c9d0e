"""Expected values for examples/.../tutorials/SgdMomentum.java (/usr/bin/python3 tools/tutorials/sgd_momentum.py):
f(x) = (x0^2 + 100 x1^2) / 2 from x = (1, 1), SGD lr 0.015 with momentum 0, 0.8 and 0.9."""
import torch


def run(momentum, steps=300):
    h = torch.tensor([1.0, 100.0])
    x = torch.tensor([1.0, 1.0], requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.015, momentum=momentum)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        f = 0.5 * (h * x * x).sum()
        losses.append(f.item())
        f.backward()
        opt.step()
    return losses


for m in (0.0, 0.8, 0.9):
    losses = run(m)
    first = next(i for i, v in enumerate(losses) if v < 1e-4)
    print(f"momentum {m}: f at steps 1, 10, 100 = {losses[1]:.8g}, {losses[10]:.8g}, {losses[100]:.8g}; "
          f"first below 1e-4 at step {first} (f = {losses[first - 1]:.8g}, then {losses[first]:.8g})")

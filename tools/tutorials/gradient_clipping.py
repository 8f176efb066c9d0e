"""Expected values for examples/.../tutorials/GradientClipping.java
(/usr/bin/python3 tools/tutorials/gradient_clipping.py): y = 3x - 2 on x in [-10, 10), Linear(1, 1) from zero,
SGD lr 0.02, clipping by norm (max 10) or by value (5) after each backward."""
import torch

x = (torch.arange(32, dtype=torch.float32) * 0.625 - 10).view(32, 1)
y = 3 * x - 2


def total_norm(params):
    return torch.sqrt(sum((p.grad ** 2).sum() for p in params)).item()


def train(clip, steps=100):
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.02)
    before, after, losses = [], [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = (model(x) - y).pow(2).mean()
        losses.append(loss.item())
        loss.backward()
        before.append(total_norm(model.parameters()))
        clip(model.parameters())
        after.append(total_norm(model.parameters()))
        opt.step()
    print(f"  norms before {before[0]:.8g}, {before[1]:.8g}, {before[99]:.8g}; after {after[0]:.8g}, {after[1]:.8g}, {after[99]:.8g}")
    print(f"  losses {losses[0]:.8g}, {losses[1]:.8g}, {losses[99]:.8g}; w = {model.weight.item():.8g}, b = {model.bias.item():.8g}")
    print("  steps clipped:", sum(1 for a, b in zip(before, after) if b < a - 1e-6))


print("by norm:")
train(lambda p: torch.nn.utils.clip_grad_norm_(p, 10.0))
print("by value:")
train(lambda p: torch.nn.utils.clip_grad_value_(p, 5.0))

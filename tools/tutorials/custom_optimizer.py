"""Expected values for examples/.../tutorials/CustomOptimizer.java
(/usr/bin/python3 tools/tutorials/custom_optimizer.py): the Lion optimizer (Chen et al. 2023, "Symbolic
Discovery of Optimization Algorithms") written as a torch.optim.Optimizer, fitting y = 3x - 2."""
import torch


class Lion(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "exp_avg" not in state:
                    state["exp_avg"] = torch.zeros_like(p)
                m = state["exp_avg"]
                p.mul_(1 - group["lr"] * group["weight_decay"])
                update = (m * beta1 + p.grad * (1 - beta1)).sign()
                p.add_(update, alpha=-group["lr"])
                m.mul_(beta2).add_(p.grad, alpha=1 - beta2)


x = (torch.arange(32, dtype=torch.float32) / 16 - 1).view(32, 1)
y = 3 * x - 2
model = torch.nn.Linear(1, 1)
with torch.no_grad():
    model.weight.zero_()
    model.bias.zero_()
opt = Lion(model.parameters(), lr=0.05, betas=(0.9, 0.99))
losses = []
for _ in range(200):
    opt.zero_grad()
    loss = (model(x) - y).pow(2).mean()
    losses.append(loss.item())
    loss.backward()
    opt.step()
print(f"losses[0, 1, 10, 100, 199] = {losses[0]:.8g}, {losses[1]:.8g}, {losses[10]:.8g}, {losses[100]:.8g}, {losses[199]:.8g}")
print(f"w = {model.weight.item():.8g}, b = {model.bias.item():.8g}")
print("exp_avg:", [opt.state[p]["exp_avg"].item() for p in model.parameters()])

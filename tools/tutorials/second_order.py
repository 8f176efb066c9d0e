"""Expected values for examples/.../tutorials/SecondOrderGradients.java
(/usr/bin/python3 tools/tutorials/second_order.py), in float64: Newton's method on f(x) = x^4 - 3x^2 + x with
f' and f'' from autograd, and a Hessian-vector product of a small network's loss."""
import torch

torch.set_default_dtype(torch.float64)

x = torch.tensor(2.0, requires_grad=True)
iterates = []
for _ in range(6):
    f = x.pow(4) - 3 * x.pow(2) + x
    (d1,) = torch.autograd.grad(f, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x)
    with torch.no_grad():
        x -= d1 / d2
    iterates.append(x.item())
print("newton iterates:", [f"{v:.15g}" for v in iterates])

w1 = torch.tensor([[0.5, -0.3], [0.8, 0.2], [-0.6, 0.4]], requires_grad=True)
b1 = torch.tensor([0.1, 0.0, -0.1], requires_grad=True)
w2 = torch.tensor([[0.7, -0.5, 0.3]], requires_grad=True)
b2 = torch.tensor([0.2], requires_grad=True)
params = [w1, b1, w2, b2]
X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
Y = torch.tensor([[1.0], [-1.0], [0.5], [0.0]])
loss = ((X @ w1.t() + b1).tanh() @ w2.t() + b2 - Y).pow(2).mean()
grads = torch.autograd.grad(loss, params, create_graph=True)
v = [torch.arange(p.numel(), dtype=torch.float64).view(p.shape) / 10 for p in params]
hv = torch.autograd.grad(sum((g * u).sum() for g, u in zip(grads, v)), params)
print("loss:", f"{loss.item():.15g}")
print("grad:", [f"{e:.15g}" for g in grads for e in g.flatten().tolist()])
print("hvp:", [f"{e:.15g}" for h in hv for e in h.flatten().tolist()])

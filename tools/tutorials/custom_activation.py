"""Expected values for examples/.../tutorials/CustomActivation.java
(/usr/bin/python3 tools/tutorials/custom_activation.py): Swish x * sigmoid(beta x) with a learnable beta, and
SiLU (Swish with beta = 1) as torch.nn.functional.silu."""
import torch

x = torch.tensor([-3.0, -1.0, 0.0, 0.5, 2.0], requires_grad=True)
beta = torch.tensor(1.5, requires_grad=True)
y = x * torch.sigmoid(beta * x)
y.sum().backward()
print("swish(beta=1.5) =", y.tolist())
print("d/dx =", x.grad.tolist())
print("d/dbeta =", beta.grad.item())

x.grad = None
s = torch.nn.functional.silu(x)
s.sum().backward()
print("silu =", s.tolist())
print("silu d/dx =", x.grad.tolist())

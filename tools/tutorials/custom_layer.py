"""Expected values for examples/.../tutorials/CustomLayer.java (/usr/bin/python3 tools/tutorials/custom_layer.py):
a linear layer whose weight is multiplied by a fixed lower-triangular mask (a buffer), so output i sees
inputs 0..i only."""
import torch


class MaskedLinear(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(n, n))
        self.bias = torch.nn.Parameter(torch.empty(n))
        self.register_buffer("mask", torch.ones(n, n).tril())

    def forward(self, x):
        return x @ (self.weight * self.mask).t() + self.bias


layer = MaskedLinear(3)
with torch.no_grad():
    layer.weight.copy_(torch.tensor([[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6], [0.7, -0.8, 0.9]]))
    layer.bias.copy_(torch.tensor([0.1, -0.1, 0.2]))
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
y = layer(x)
y.pow(2).sum().backward()
print("state dict:", list(layer.state_dict().keys()), "parameters:", [n for n, _ in layer.named_parameters()])
print("y =", y.flatten().tolist())
print("weight.grad =", layer.weight.grad.flatten().tolist())
print("bias.grad =", layer.bias.grad.tolist())

# Sourced by the other scripts here, on a lent GPU machine: unpacks the
# Vulkan loader's debs carried in `.gl` (`../shared/GPU.md`), points the
# loader at NVIDIA's driver and records the GPU in /tmp/o/gpu.txt. Copy it
# into `.bin/` beside the script that sources it.
for f in .gl/*.deb; do dpkg -x "$f" / >/dev/null; done
ldconfig
VK_DRIVER_FILES=$(find / -xdev -name 'nvidia_icd*.json' 2>/dev/null | head -1)
export VK_DRIVER_FILES
mkdir -p /tmp/o
nvidia-smi --query-gpu=name,driver_version --format=csv > /tmp/o/gpu.txt 2>&1

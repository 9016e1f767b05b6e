// The convolution gradients computed directly on channels-last copies of the samples, skipping the
// zero entries of the output gradient (conv_direct.cc); conv.cc calls them where they apply.
#ifndef DLF_CONV_DIRECT_H
#define DLF_CONV_DIRECT_H

#include "dlf.h"

namespace dlf {

/**
 * Whether the direct gradients take geometry d: the AVX-512 level, stride and dilation 1 along x,
 * a window of at most 28 vectors (kh × ⌈kw·c / 16⌉) so that it fits in registers, and at least
 * half of their lanes holding cells of the window.
 */
bool conv_direct_applies(const ConvGeom& d);

/**
 * out = the gradient of conv2d with respect to x (as conv2d_grad_input), or with respect to w (as
 * conv2d_grad_weight), for a geometry conv_direct_applies takes. Each returns false, having
 * written nothing, when its buffers would be too large (then the GEMM form runs) or cannot be
 * allocated; `*oom` tells the two apart.
 */
bool conv2d_grad_input_direct(const float* grad, const float* w, float* out, const ConvGeom& d, bool* oom);
bool conv2d_grad_weight_direct(const float* x, const float* grad, float* out, const ConvGeom& d, bool* oom);

}  // namespace dlf

#endif

// The convolutions computed directly, without column matrices (conv_direct.cc): the forward on
// the zero-padded sample, and the two gradients on channels-last copies of the samples, skipping
// the zero entries of the output gradient. conv.cc calls them where they apply.
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

/**
 * Whether conv2d_sample_direct takes geometry d: the AVX-512 level, stride and dilation 1 along x
 * (a tap then reads a run of an input row for a run of an output row), and output rows that fill
 * at least three quarters of the vectors they take.
 */
bool conv_forward_direct_applies(const ConvGeom& d);
/**
 * One sample's forward convolution o [F, OH·OW] = w · (the sample's windows), from the sample
 * zero-padded as conv.cc pads it (pad [C, hp, wp], with 16 floats of slack after it), then
 * o = act(o + bias[f]) as conv.cc's epilogue computes it when bias is given. Sums over the taps in
 * order, eight filters by three output vectors (16 cells of a row) at a time, in registers.
 */
void conv2d_sample_direct(const float* pad, int64_t hp, int64_t wp, const float* w, float* o, const ConvGeom& d, const float* bias,
                          bool relu);

}  // namespace dlf

#endif

package dev.gecko4j.train.onnx;

/**
 * One attribute of an ONNX node (the subset of {@code AttributeProto} the interpreter uses).
 *
 * @param name the attribute name
 * @param type the {@code AttributeProto.AttributeType} code
 * @param f the float value
 * @param i the integer value
 * @param s the string value (UTF-8 decoded), or null
 * @param t the tensor value, or null
 * @param floats the float list (empty when absent)
 * @param ints the integer list (empty when absent)
 */
public record OnnxAttribute(String name, int type, float f, long i, String s, TensorData t,
    float[] floats, long[] ints) {}

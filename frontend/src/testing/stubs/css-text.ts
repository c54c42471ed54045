/** Jest stand-in for a stylesheet imported as text. */
export default '';

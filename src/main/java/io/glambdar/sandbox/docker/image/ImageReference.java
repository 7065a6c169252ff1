package io.glambdar.sandbox.docker.image;

/**
 * An image reference split the way the pull API wants it. The tag is never empty: an empty tag makes the engine pull
 * every tag of the repository.
 */
record ImageReference(String repository, String tag) {

    static ImageReference parse(String image) {
        int at = image.indexOf('@');
        if (at >= 0) {
            return new ImageReference(image.substring(0, at), image.substring(at + 1)); // digest goes in the tag field
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon > slash) { // a colon before the last slash is a registry port, not a tag
            return new ImageReference(image.substring(0, colon), image.substring(colon + 1));
        }
        return new ImageReference(image, "latest");
    }
}

# IMDSv2 helpers of install-p12: the metadata request and the identity document's fields.
# shellcheck shell=bash

imds_get() {
  local path=$1
  curl -fsS --max-time 5 -H "@${WORK}/imds-header" "${IMDS_URL}${path}"
}

# Prints the string value of a top-level field of the instance identity document (flat JSON).
identity_field() {
  local name=$1 document=$2 pattern
  pattern="\"${name}\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
  [[ $document =~ $pattern ]] || return 1
  printf '%s' "${BASH_REMATCH[1]}"
}

# The partition from the region's name, for an IMDS without meta-data/services/partition.
partition_of_region() {
  case $1 in
    cn-*) printf 'aws-cn' ;;
    us-gov-*) printf 'aws-us-gov' ;;
    *) printf 'aws' ;;
  esac
}

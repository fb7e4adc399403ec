# IMDSv2 helpers of install-p12 and install-cert: the metadata request, the identity document's fields, the instance id.
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

# Prints this instance's id: AWS_SSM_INSTANCE_ID, which the SSM agent sets for aws:runShellScript,
# else IMDSv2's meta-data/instance-id. Returns 1 when neither gives an EC2 instance id.
own_instance_id() {
  local id=${AWS_SSM_INSTANCE_ID:-} token
  if [ -z "$id" ]; then
    have curl || return 1
    token="$(curl -fsS --max-time 5 -X PUT --data-binary '' -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
      "${IMDS_URL}/latest/api/token")" || return 1
    printf 'X-aws-ec2-metadata-token: %s\n' "$token" >"${WORK}/imds-header"
    id="$(imds_get /latest/meta-data/instance-id)" || return 1
  fi
  [[ $id =~ ^i-[0-9a-f]{8,17}$ ]] || return 1
  printf '%s' "$id"
}
